import java.io.InputStream;
import java.net.InetSocketAddress;
import java.util.List;

import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.MongoVersion;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;

/**
 * Starts mongo-java-server (in-memory backend) on a free loopback port for dupes' tests.
 *
 * Prints "listening HOST:PORT" once bound, then serves until its standard input closes, so the
 * server dies with the Go test process that started it, however that process ends.
 */
public class Launcher {
    /** The driver refuses servers older than MongoDB 4.4 (wire version 9); report exactly that. */
    static final MongoVersion VERSION = new MongoVersion() {
        public List<Integer> getVersionArray() { return List.of(4, 4, 0); }
        public String toVersionString() { return "4.4.0"; }
        public int getWireVersion() { return 9; }
    };

    public static void main(String[] args) throws Exception {
        MongoServer server = new MongoServer(new MemoryBackend().version(VERSION));
        InetSocketAddress addr = server.bind();
        System.out.println("listening " + addr.getHostString() + ":" + addr.getPort());
        System.out.flush();
        InputStream in = System.in;
        byte[] buf = new byte[256];
        while (in.read(buf) >= 0) {
            // drain until EOF
        }
        server.shutdownNow();
        System.exit(0);
    }
}
