import java.io.ByteArrayInputStream;
import java.io.File;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.text.SimpleDateFormat;
import java.util.Date;

import org.apache.flink.shaded.zookeeper3.org.apache.zookeeper.KeeperException;
import org.apache.flink.shaded.zookeeper3.org.apache.zookeeper.WatchedEvent;
import org.apache.flink.shaded.zookeeper3.org.apache.zookeeper.Watcher;
import org.apache.flink.shaded.zookeeper3.org.apache.zookeeper.ZooKeeper;
import org.apache.flink.shaded.zookeeper3.org.apache.zookeeper.data.Stat;

/**
 * The leader watch beside a standby-capable JobManager (see __init__.py of this package).
 *
 * <p>Every POLL_MS: find the leader (the owner session of the lowest node of Flink's leader
 * latch, and the RPC address it published in its connection_info nodes), write ROLE_FILE
 * ("leader" when that address is OWN_ADDRESS:RPC_PORT, else "standby") and probe the
 * leader's RPC port. When the port refuses connections REFUSALS_TO_FENCE times in a row,
 * the leader's process is gone while its address lives on: delete the ephemeral nodes of
 * its ZooKeeper session (latch node last, each only while still owned by that session) so
 * a standby takes over now instead of after the session timeout. A probe that times out
 * never fences: the leader may be stalled or unreachable, and then its session decides.
 *
 * <p>Plain Java 5 style (no lambdas, no generic types): the pod compiles it with Janino.
 */
public class LeaderWatch implements Watcher {
    static final long POLL_MS = 150;
    static final int PROBE_TIMEOUT_MS = 500;
    static final int REFUSALS_TO_FENCE = 2;
    static final int SESSION_TIMEOUT_MS = 10000;
    static final String LATCH = "latch";
    static final String CONNECTION_INFO = "connection_info";

    final String quorum;
    final String haPath;
    final String ownAddress;
    final File roleFile;
    ZooKeeper zk;
    String role = "";
    String leader = "";
    long refusedSession = 0;
    int refusals = 0;

    LeaderWatch(String quorum, String haPath, String ownAddress, File roleFile) {
        this.quorum = quorum;
        this.haPath = haPath;
        this.ownAddress = ownAddress;
        this.roleFile = roleFile;
    }

    public static void main(String[] args) throws Exception {
        String own = required("OWN_ADDRESS") + ":" + required("RPC_PORT");
        LeaderWatch watch = new LeaderWatch(
            required("ZOOKEEPER_QUORUM"), required("HA_ZOOKEEPER_PATH"), own, new File(required("ROLE_FILE")));
        log("start own=" + own + " ha_path=" + watch.haPath + " quorum=" + watch.quorum);
        watch.run();
    }

    static String required(String name) {
        String value = System.getenv(name);
        if (value == null || value.length() == 0) {
            System.err.println("leader-watch: environment variable " + name + " is not set");
            System.exit(2);
        }
        return value;
    }

    static void log(String line) {
        String now = new SimpleDateFormat("yyyy-MM-dd HH:mm:ss,SSS").format(new Date());
        System.out.println(now + " " + line);
        System.out.flush();
    }

    public void process(WatchedEvent event) {
        // Connection state only; the loop polls.
    }

    void run() throws IOException, InterruptedException {
        writeRole("standby");
        while (true) {
            try {
                if (zk == null || !zk.getState().isAlive()) {
                    connect();
                }
                step();
            } catch (KeeperException e) {
                log("zookeeper error=" + e.getMessage());
            } catch (IOException e) {
                log("io error=" + e.getMessage());
            }
            Thread.sleep(POLL_MS);
        }
    }

    void connect() throws IOException, InterruptedException {
        if (zk != null) {
            zk.close();
        }
        zk = new ZooKeeper(quorum, SESSION_TIMEOUT_MS, this);
        log("zookeeper connecting quorum=" + quorum);
    }

    void step() throws KeeperException, InterruptedException, IOException {
        String latchDir = haPath + "/leader/" + LATCH;
        String latchNode = lowestChild(latchDir);
        if (latchNode == null) {
            observe("", 0);
            return;
        }
        long session = owner(latchDir + "/" + latchNode);
        String address = session == 0 ? null : publishedAddress(session);
        if (address == null) {
            observe("", 0);
            return;
        }
        observe(address, session);
        probe(address, session);
    }

    /** The latch node Curator's LeaderLatch elects: the lowest sequence number (the name's tail). */
    String lowestChild(String dir) throws KeeperException, InterruptedException {
        Object[] children;
        try {
            children = zk.getChildren(dir, false).toArray();
        } catch (KeeperException.NoNodeException e) {
            return null;
        }
        String lowest = null;
        for (int i = 0; i < children.length; i++) {
            String child = (String) children[i];
            if (lowest == null || sequence(child).compareTo(sequence(lowest)) < 0) {
                lowest = child;
            }
        }
        return lowest;
    }

    static String sequence(String node) {
        int dash = node.lastIndexOf('-');
        return dash < 0 ? node : node.substring(dash + 1);
    }

    /** The session owning an ephemeral node (0: gone or persistent). */
    long owner(String path) throws KeeperException, InterruptedException {
        Stat stat = zk.exists(path, false);
        return stat == null ? 0 : stat.getEphemeralOwner();
    }

    /** host:port of the RPC address the leader's session published (Pekko's flink@HOST:PORT). */
    String publishedAddress(long session) throws KeeperException, InterruptedException, IOException {
        Object[] components;
        try {
            components = zk.getChildren(haPath + "/leader", false).toArray();
        } catch (KeeperException.NoNodeException e) {
            return null;
        }
        for (int i = 0; i < components.length; i++) {
            String path = haPath + "/leader/" + components[i] + "/" + CONNECTION_INFO;
            Stat stat = new Stat();
            byte[] data;
            try {
                data = zk.getData(path, false, stat);
            } catch (KeeperException.NoNodeException e) {
                continue;
            }
            if (stat.getEphemeralOwner() != session || data == null || data.length == 0) {
                continue;
            }
            String hostPort = rpcHostPort(data);
            if (hostPort != null) {
                return hostPort;
            }
        }
        return null;
    }

    /** Flink writes writeUTF(address) then the leader session id; only RPC (Pekko) addresses count. */
    static String rpcHostPort(byte[] data) throws IOException {
        ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(data));
        try {
            String address = in.readUTF();
            int at = address.indexOf('@');
            if (!address.startsWith("pekko") || at < 0) {
                return null;
            }
            int slash = address.indexOf('/', at);
            return slash < 0 ? address.substring(at + 1) : address.substring(at + 1, slash);
        } finally {
            in.close();
        }
    }

    void observe(String address, long session) throws IOException {
        if (!address.equals(leader)) {
            log("leader address=" + (address.length() == 0 ? "none" : address)
                + " session=0x" + Long.toHexString(session));
            leader = address;
        }
        writeRole(address.equals(ownAddress) ? "leader" : "standby");
    }

    void writeRole(String next) throws IOException {
        if (next.equals(role)) {
            return;
        }
        File tmp = new File(roleFile.getPath() + ".tmp");
        FileOutputStream out = new FileOutputStream(tmp);
        try {
            out.write((next + "\n").getBytes(StandardCharsets.US_ASCII));
            out.getFD().sync();
        } finally {
            out.close();
        }
        if (!tmp.renameTo(roleFile)) {
            throw new IOException("cannot rename " + tmp + " to " + roleFile);
        }
        log("role " + next);
        role = next;
    }

    void probe(String address, long session) throws KeeperException, InterruptedException {
        int colon = address.lastIndexOf(':');
        String host = address.substring(0, colon);
        int port = Integer.parseInt(address.substring(colon + 1));
        Socket socket = new Socket();
        try {
            socket.connect(new InetSocketAddress(host, port), PROBE_TIMEOUT_MS);
            refusals = 0;
            return;
        } catch (ConnectException e) {
            if (session != refusedSession) {
                refusals = 0;
            }
            refusedSession = session;
            refusals++;
            log("probe address=" + address + " refused count=" + refusals + " (" + e.getMessage() + ")");
        } catch (IOException e) {
            refusals = 0;
            log("probe address=" + address + " unanswered, not fencing (" + e.getMessage() + ")");
            return;
        } finally {
            try {
                socket.close();
            } catch (IOException e) {
                log("probe close error=" + e.getMessage());
            }
        }
        if (refusals >= REFUSALS_TO_FENCE) {
            fence(address, session);
            refusals = 0;
        }
    }

    /** Delete the session's ephemeral nodes, latch nodes last: no standby leads before the rest is gone. */
    void fence(String address, long session) throws KeeperException, InterruptedException {
        log("fence address=" + address + " session=0x" + Long.toHexString(session));
        String latchDir = haPath + "/leader/" + LATCH;
        int deleted = deleteOwned(haPath, latchDir, session);
        deleted += deleteOwned(latchDir, null, session);
        log("fence done address=" + address + " deleted=" + deleted);
    }

    /** Delete the nodes under path (but not under skip) that session owns; how many went. */
    int deleteOwned(String path, String skip, long session) throws KeeperException, InterruptedException {
        Object[] children;
        try {
            children = zk.getChildren(path, false).toArray();
        } catch (KeeperException.NoNodeException e) {
            return 0;
        }
        int deleted = 0;
        for (int i = 0; i < children.length; i++) {
            String child = path + "/" + children[i];
            if (child.equals(skip)) {
                continue;
            }
            deleted += deleteOwned(child, skip, session);
            Stat stat = zk.exists(child, false);
            if (stat == null || stat.getEphemeralOwner() != session) {
                continue;  // persistent, gone, or another session's: never touched
            }
            try {
                zk.delete(child, stat.getVersion());
                log("fence deleted path=" + child);
                deleted++;
            } catch (KeeperException.NoNodeException e) {
                log("fence skip path=" + child + " (gone)");
            } catch (KeeperException.BadVersionException e) {
                log("fence skip path=" + child + " (changed since read)");
            }
        }
        return deleted;
    }
}
