package dev.sandbox4j.contract;

import dev.sandbox4j.ExecListener;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** An {@link ExecListener} that keeps every line it is given, stdout and stderr apart, readable while they arrive. */
public final class CollectedLines implements ExecListener {
    private final List<String> out = new CopyOnWriteArrayList<>();
    private final List<String> err = new CopyOnWriteArrayList<>();

    @Override
    public void onStdout(String line) {
        out.add(line);
    }

    @Override
    public void onStderr(String line) {
        err.add(line);
    }

    /**
     * The stdout lines so far.
     *
     * @return a live, thread-safe view
     */
    public List<String> out() {
        return out;
    }

    /**
     * The stderr lines so far.
     *
     * @return a live, thread-safe view
     */
    public List<String> err() {
        return err;
    }
}
