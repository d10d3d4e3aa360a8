# shellcheck shell=bash
# Sourced by scripts/test.sh and scripts/local_cluster.sh: Debian packages added to the
# array `missing` when absent, then installed (with sudo unless root).
# The one-node cluster (tests/node): Java and Maven for the jars of its images (Flink's,
# Kafka's, the reference job's), its container runtime, network plugins and firewall,
# debootstrap for its images' Debian base, a C compiler for its pause image. Its binaries
# are built with Go, which is not a Debian package here (the go.mod files name the version).
node_packages() {
  command -v javac >/dev/null 2>&1 || missing+=(openjdk-17-jdk-headless)
  command -v mvn >/dev/null 2>&1 || missing+=(maven)
  command -v containerd >/dev/null 2>&1 || missing+=(containerd runc)
  [[ -x /usr/lib/cni/bridge ]] || missing+=(containernetworking-plugins)
  command -v iptables >/dev/null 2>&1 || missing+=(iptables)
  command -v debootstrap >/dev/null 2>&1 || missing+=(debootstrap)
  command -v cc >/dev/null 2>&1 || missing+=(gcc libc6-dev)
}
install_missing() {
  local sudo=""
  ((${#missing[@]})) || return 0
  [[ "$(id -u)" == 0 ]] || sudo="sudo"
  ${sudo} apt-get update -q
  DEBIAN_FRONTEND=noninteractive ${sudo} apt-get install -y -q --no-install-recommends "${missing[@]}"
}
