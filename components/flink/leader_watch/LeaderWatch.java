// Placeholder so the ConfigMap renders: the leader-watch lane writes LeaderWatch.java.
