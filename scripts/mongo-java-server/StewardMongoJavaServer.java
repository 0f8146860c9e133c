import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.MongoVersion;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;
import java.util.List;

/**
 * Starts mongo-java-server (in-memory backend) on 127.0.0.1 and the port given as the only
 * argument, for steward's benchmarks and tests (scripts/services.mjs builds and runs it). All
 * data lives in memory and is gone when the process ends.
 */
public final class StewardMongoJavaServer {
  /**
   * mongo-java-server 1.46 announces MongoDB 4.0 (wire version 7) at most, and the Node driver 6
   * refuses anything below wire version 8 (MongoDB 4.2). The version only changes what the
   * handshake and buildInfo say, not what the server implements.
   */
  private static final MongoVersion ANNOUNCED = new MongoVersion() {
    @Override
    public List<Integer> getVersionArray() {
      return List.of(4, 2, 0);
    }

    @Override
    public int getWireVersion() {
      return 8;
    }
  };

  public static void main(String[] args) throws InterruptedException {
    if (args.length != 1) {
      System.err.println("usage: StewardMongoJavaServer <port>");
      System.exit(2);
    }
    MongoServer server = new MongoServer(new MemoryBackend().version(ANNOUNCED));
    server.bind("127.0.0.1", Integer.parseInt(args[0]));
    Runtime.getRuntime().addShutdownHook(new Thread(server::shutdownNow));
    System.out.println("mongo-java-server 1.46.0 listening on " + server.getConnectionString());
    Thread.currentThread().join();
  }
}
