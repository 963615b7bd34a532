package dev.opsdeck.stack;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;

import org.opensearch.analysis.common.CommonAnalysisPlugin;
import org.opensearch.common.logging.LogConfigurator;
import org.opensearch.common.settings.Settings;
import org.opensearch.env.Environment;
import org.opensearch.index.reindex.ReindexPlugin;
import org.opensearch.node.InternalSettingsPreparer;
import org.opensearch.node.Node;
import org.opensearch.painless.PainlessPlugin;
import org.opensearch.plugins.Plugin;
import org.opensearch.transport.Netty4Plugin;

/**
 * A single-node OpenSearch 2.19 for opsdeck's local stack (scripts/stack).
 *
 * <p>The distribution's modules are not unpacked anywhere: their Maven artifacts are on the
 * classpath and are handed to the node as classpath plugins, the way the test framework's
 * MockNode does it. Security is off (no security plugin), HTTP and transport bind loopback only.
 *
 * <p>System properties: {@code opsdeck.os.home} (required; config, data and logs live under it),
 * {@code opsdeck.os.http.port} (9201), {@code opsdeck.os.transport.port} (9301).
 */
public final class OpenSearchNode {

    private static final List<Class<? extends Plugin>> PLUGINS = List.of(
            Netty4Plugin.class,
            ReindexPlugin.class,
            PainlessPlugin.class,
            CommonAnalysisPlugin.class);

    private static final String LOG4J2_PROPERTIES = String.join("\n",
            "status = error",
            "appender.console.type = Console",
            "appender.console.name = console",
            "appender.console.layout.type = PatternLayout",
            "appender.console.layout.pattern = [%d{ISO8601}][%-5p][%-25c{1.}] [%node_name]%marker %m%n",
            "rootLogger.level = info",
            "rootLogger.appenderRef.console.ref = console",
            "logger.deprecation.name = org.opensearch.deprecation",
            "logger.deprecation.level = error",
            "");

    /** Node's plugin-accepting constructor is protected; this subclass exposes it. */
    static final class ClasspathPluginNode extends Node {
        ClasspathPluginNode(Environment environment, Collection<Class<? extends Plugin>> plugins) {
            super(environment, plugins, true);
        }
    }

    private OpenSearchNode() {}

    public static void main(String[] args) throws Exception {
        String homeProp = System.getProperty("opsdeck.os.home");
        if (homeProp == null || homeProp.isEmpty()) {
            System.err.println("opsdeck.os.home is not set");
            System.exit(2);
        }
        Path home = Paths.get(homeProp).toAbsolutePath();
        int httpPort = Integer.getInteger("opsdeck.os.http.port", 9201);
        int transportPort = Integer.getInteger("opsdeck.os.transport.port", 9301);

        Path config = home.resolve("config");
        for (String dir : new String[] {"config", "data", "logs", "plugins", "modules"}) {
            Files.createDirectories(home.resolve(dir));
        }
        Path log4jConfig = config.resolve("log4j2.properties");
        if (!Files.exists(log4jConfig)) {
            Files.write(log4jConfig, LOG4J2_PROPERTIES.getBytes(StandardCharsets.UTF_8));
        }

        String nodeName = "opsdeck-os-1";
        Settings settings = Settings.builder()
                .put("path.home", home.toString())
                .put("path.data", home.resolve("data").toString())
                .put("path.logs", home.resolve("logs").toString())
                .put("cluster.name", "opsdeck-local")
                .put("node.name", nodeName)
                .put("discovery.type", "single-node")
                .put("network.host", "127.0.0.1")
                .put("http.port", httpPort)
                .put("transport.port", transportPort)
                .put("node.store.allow_mmap", false)
                .put("cluster.routing.allocation.disk.threshold_enabled", false)
                .put("action.destructive_requires_name", false)
                .build();

        Environment environment = InternalSettingsPreparer.prepareEnvironment(
                settings, Collections.emptyMap(), config, () -> nodeName);
        LogConfigurator.registerErrorListener();
        LogConfigurator.setNodeName(nodeName);
        LogConfigurator.configure(environment);

        Node node = new ClasspathPluginNode(environment, PLUGINS);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                node.close();
            } catch (IOException e) {
                e.printStackTrace();
            } finally {
                stopped.countDown();
            }
        }, "opsdeck-os-shutdown"));
        node.start();
        System.out.println("opsdeck-opensearch: started, http 127.0.0.1:" + httpPort
                + ", transport 127.0.0.1:" + transportPort);
        // The node's threads are daemons: keep the JVM alive until a signal arrives.
        stopped.await();
    }
}
