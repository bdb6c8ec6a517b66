package dev.sandbox4j.kubernetes.internal;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/**
 * A loopback TCP proxy in front of an HTTP/1.1 server that passes every request and response through byte for byte,
 * except the response to the first {@code cuts} requests whose request line {@code cut} matches: of that response it
 * forwards the head and the first {@code bodyBytes} bytes of the body, waits until {@code resetWhen} is open (what
 * the client has read by then is in its hands, not in a socket buffer the reset would discard), then resets the
 * client's connection ({@code SO_LINGER} 0: an RST, not a FIN) and closes the server side; and except the response
 * to any request whose request line {@code hold} matches, which it keeps back until it closes (an API server that
 * does not answer). One thread accepts, two per connection pump the two directions; {@link #close()} closes every
 * socket and joins every thread.
 */
final class ResettingProxy implements AutoCloseable {
    private static final Duration GATE = Duration.ofSeconds(120);
    private static final byte[] HEAD_END = "\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

    private final InetSocketAddress upstream;
    private final Predicate<String> cut;
    private final AtomicInteger cutsLeft;
    private final int bodyBytes;
    private final CountDownLatch resetWhen;
    private final Predicate<String> hold;
    private final CountDownLatch released = new CountDownLatch(1);
    private final ServerSocket listener;
    private final Thread acceptor;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private final List<Thread> threads = new CopyOnWriteArrayList<>();
    private final List<String> requestLines = new CopyOnWriteArrayList<>();
    private final AtomicInteger resets = new AtomicInteger();
    private volatile boolean closed;

    /**
     * A started proxy on a free loopback port.
     *
     * @param upstream  the server
     * @param cut       which request lines ({@code GET /path?query HTTP/1.1}) get a cut response
     * @param cuts      how many responses to cut, the first ones that match
     * @param bodyBytes how much of a cut response's body goes through
     * @param resetWhen opened by the test when the client has taken what went through
     * @param hold      which request lines get no response while the proxy is open
     */
    ResettingProxy(InetSocketAddress upstream, Predicate<String> cut, int cuts, int bodyBytes,
                   CountDownLatch resetWhen, Predicate<String> hold) throws IOException {
        this.upstream = upstream;
        this.cut = cut;
        this.cutsLeft = new AtomicInteger(cuts);
        this.bodyBytes = bodyBytes;
        this.resetWhen = resetWhen;
        this.hold = hold;
        this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        this.acceptor = new Thread(this::accept, "resetting-proxy-accept");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    int port() {
        return listener.getLocalPort();
    }

    /** {@return every request line that reached the proxy, in order} */
    List<String> requestLines() {
        return List.copyOf(requestLines);
    }

    /** {@return how many connections the proxy reset} */
    int resets() {
        return resets.get();
    }

    private void accept() {
        while (!closed) {
            Socket client;
            try {
                client = listener.accept();
            } catch (IOException e) {
                return;
            }
            try {
                Socket server = new Socket(upstream.getAddress(), upstream.getPort());
                sockets.add(client);
                sockets.add(server);
                Connection c = new Connection(client, server);
                start(c::clientToServer, "resetting-proxy-up");
                start(c::serverToClient, "resetting-proxy-down");
            } catch (IOException e) {
                quietly(client);
            }
        }
    }

    private void start(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        threads.add(t);
        t.start();
    }

    /** One client connection and its own connection to the server. */
    private final class Connection {
        private final Socket client;
        private final Socket server;
        /** Set by the upstream pump before it forwards a request whose response is to be cut. */
        private volatile boolean cutNext;
        /** Set by the upstream pump before it forwards a request whose response is to be kept back. */
        private volatile boolean holdNext;

        Connection(Socket client, Socket server) {
            this.client = client;
            this.server = server;
        }

        /** Forwards the client's bytes, noting each request line (the client does not pipeline). */
        void clientToServer() {
            ByteArrayOutputStream line = new ByteArrayOutputStream();
            byte[] buf = new byte[8192];
            try (InputStream in = client.getInputStream(); OutputStream out = server.getOutputStream()) {
                int n;
                while ((n = in.read(buf)) > 0) {
                    for (int i = 0; i < n; i++) {
                        if (buf[i] == '\n') {
                            String l = line.toString(StandardCharsets.US_ASCII).strip();
                            line.reset();
                            if (l.matches("[A-Z]+ \\S+ HTTP/1\\.1")) {
                                requestLines.add(l);
                                if (cut.test(l) && cutsLeft.getAndDecrement() > 0) {
                                    cutNext = true;
                                }
                                if (hold.test(l)) {
                                    holdNext = true;
                                }
                            }
                        } else if (line.size() < 16_384) {
                            line.write(buf[i]);
                        }
                    }
                    out.write(buf, 0, n);
                    out.flush();
                }
            } catch (IOException e) {
                // the other side closed
            } finally {
                quietly(server);
            }
        }

        /** Forwards the server's bytes; the response to a request to cut goes through in part, then the reset. */
        void serverToClient() {
            byte[] buf = new byte[8192];
            ByteArrayOutputStream head = new ByteArrayOutputStream();
            long bodyLeft = -1;
            try (InputStream in = server.getInputStream(); OutputStream out = client.getOutputStream()) {
                int n;
                while ((n = in.read(buf)) > 0) {
                    if (holdNext) {
                        released.await();
                        return;
                    }
                    if (!cutNext) {
                        out.write(buf, 0, n);
                        out.flush();
                        continue;
                    }
                    byte[] chunk = buf;
                    int from = 0;
                    int to = n;
                    if (bodyLeft < 0) {
                        head.write(buf, 0, n);
                        byte[] h = head.toByteArray();
                        int end = indexOf(h, HEAD_END);
                        if (end < 0) {
                            continue;
                        }
                        String headText = new String(h, 0, end, StandardCharsets.US_ASCII);
                        if (!headText.toLowerCase(Locale.ROOT).contains("content-length:")) {
                            throw new IllegalStateException("a cut response needs a Content-Length: " + headText);
                        }
                        out.write(h, 0, end + HEAD_END.length);
                        bodyLeft = bodyBytes;
                        chunk = h;
                        from = end + HEAD_END.length;
                        to = h.length;
                    }
                    int take = (int) Math.min(bodyLeft, to - from);
                    out.write(chunk, from, take);
                    out.flush();
                    bodyLeft -= take;
                    if (bodyLeft == 0) {
                        reset();
                        return;
                    }
                }
            } catch (IOException e) {
                // the other side closed
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                quietly(client);
            }
        }

        private void reset() throws IOException {
            try {
                resetWhen.await(GATE.toSeconds(), TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            client.setSoLinger(true, 0);
            client.close();
            resets.incrementAndGet();
            quietly(server);
        }
    }

    private static int indexOf(byte[] data, byte[] what) {
        outer:
        for (int i = 0; i + what.length <= data.length; i++) {
            for (int j = 0; j < what.length; j++) {
                if (data[i + j] != what[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    private static void quietly(Socket s) {
        try {
            s.close();
        } catch (IOException e) {
            // closing
        }
    }

    /** Closes the listener and every connection, and joins every thread; interrupted, it stops waiting. */
    @Override
    public void close() {
        closed = true;
        released.countDown();
        try {
            listener.close();
        } catch (IOException e) {
            // closing
        }
        sockets.forEach(ResettingProxy::quietly);
        try {
            acceptor.join();
            for (Thread t : threads) {
                t.interrupt();
                t.join();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
