//go:build tools

// Package tools pins kubelogin, the exec credential plugin that the deploy
// workflow (.github/workflows/pulumi-stack.yml) builds from this module with
// `go build -trimpath github.com/Azure/kubelogin` under -mod=readonly.
//
// Why a module and not the release zip: go.sum pins the hash of kubelogin and
// of every module it depends on, and the go command checked each against the
// Go checksum database (sum.golang.org) when `go mod tidy` wrote it, so the
// pin is verifiable from the repository alone; a build whose downloads do not
// match go.sum fails. Dependabot's gomod ecosystem follows the version in
// go.mod. Upgrade: `go get github.com/Azure/kubelogin@vX.Y.Z && go mod tidy`
// here (docs/ci-cd.md).
//
// The import keeps kubelogin's dependencies in go.mod and go.sum under
// `go mod tidy`; the build tag keeps this file out of every build.
package tools

import _ "github.com/Azure/kubelogin"
