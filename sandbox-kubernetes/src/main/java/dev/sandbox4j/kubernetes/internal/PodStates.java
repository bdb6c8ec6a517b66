package dev.sandbox4j.kubernetes.internal;

import io.fabric8.kubernetes.api.model.ContainerStateTerminated;
import io.fabric8.kubernetes.api.model.ContainerStateWaiting;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodStatus;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** Pure reading of a pod's status: is it running, did it fail, and why. No I/O. */
public final class PodStates {
    /** Waiting reasons that do not resolve by waiting longer. */
    static final Set<String> HOPELESS = Set.of("ErrImagePull", "ImagePullBackOff", "InvalidImageName",
            "CreateContainerConfigError", "CreateContainerError", "CrashLoopBackOff", "RunContainerError");

    private PodStates() {
    }

    /** Whether waiting can stop: the workload runs, or the pod cannot get there any more. */
    public static boolean settled(Pod pod) {
        return workloadRunning(pod) || failure(pod).isPresent();
    }

    /** Whether the pod is Running with its workload container running. */
    public static boolean workloadRunning(Pod pod) {
        PodStatus s = pod.getStatus();
        if (s == null || !"Running".equals(s.getPhase())) {
            return false;
        }
        return statuses(s.getContainerStatuses()).stream()
                .anyMatch(c -> PodManifest.WORKLOAD.equals(c.getName()) && c.getState() != null
                        && c.getState().getRunning() != null);
    }

    /** Why the pod will not run its workload, if that is already known. */
    public static Optional<String> failure(Pod pod) {
        PodStatus s = pod.getStatus();
        if (s == null) {
            return Optional.empty();
        }
        if ("Failed".equals(s.getPhase()) || "Succeeded".equals(s.getPhase())) {
            return Optional.of("phase " + s.getPhase() + reason(s) + "; " + containers(s));
        }
        for (ContainerStatus c : statuses(s.getInitContainerStatuses())) {
            ContainerStateTerminated t = c.getState() == null ? null : c.getState().getTerminated();
            if (t != null && t.getExitCode() != null && t.getExitCode() != 0) {
                return Optional.of("init container " + c.getName() + " exited " + t.getExitCode()
                        + text(t.getReason()) + text(t.getMessage()));
            }
        }
        List<ContainerStatus> all = new ArrayList<>(statuses(s.getInitContainerStatuses()));
        all.addAll(statuses(s.getContainerStatuses()));
        for (ContainerStatus c : all) {
            ContainerStateWaiting w = c.getState() == null ? null : c.getState().getWaiting();
            if (w != null && HOPELESS.contains(w.getReason())) {
                return Optional.of("container " + c.getName() + " is waiting: " + w.getReason()
                        + text(w.getMessage()));
            }
        }
        return Optional.empty();
    }

    /** The exit code of the init container that loads the rules, once it terminated; empty otherwise. */
    public static Optional<Integer> initExitCode(Pod pod) {
        if (pod == null || pod.getStatus() == null) {
            return Optional.empty();
        }
        return statuses(pod.getStatus().getInitContainerStatuses()).stream()
                .filter(c -> PodManifest.INIT.equals(c.getName()) && c.getState() != null
                        && c.getState().getTerminated() != null)
                .map(c -> c.getState().getTerminated().getExitCode()).findFirst();
    }

    /**
     * Whether the enforcer sidecar has terminated, or the pod as a whole has ended (Succeeded or Failed): its log
     * then grows no more.
     */
    public static boolean enforcerEnded(Pod pod) {
        if (pod.getStatus() == null) {
            return false;
        }
        String phase = pod.getStatus().getPhase();
        if ("Succeeded".equals(phase) || "Failed".equals(phase)) {
            return true;
        }
        return statuses(pod.getStatus().getContainerStatuses()).stream()
                .anyMatch(c -> PodManifest.ENFORCER.equals(c.getName()) && c.getState() != null
                        && c.getState().getTerminated() != null);
    }

    /** One line on the pod's state, for timeouts. */
    public static String describe(Pod pod) {
        PodStatus s = pod.getStatus();
        if (s == null) {
            return "no status yet (not scheduled?)";
        }
        return "phase " + s.getPhase() + reason(s) + "; " + containers(s);
    }

    private static String reason(PodStatus s) {
        return text(s.getReason()) + text(s.getMessage());
    }

    private static String containers(PodStatus s) {
        List<String> parts = new ArrayList<>();
        List<ContainerStatus> all = new ArrayList<>(statuses(s.getInitContainerStatuses()));
        all.addAll(statuses(s.getContainerStatuses()));
        for (ContainerStatus c : all) {
            String state = "unknown";
            if (c.getState() != null) {
                if (c.getState().getRunning() != null) {
                    state = "running";
                } else if (c.getState().getWaiting() != null) {
                    state = "waiting" + text(c.getState().getWaiting().getReason());
                } else if (c.getState().getTerminated() != null) {
                    state = "exited " + c.getState().getTerminated().getExitCode()
                            + text(c.getState().getTerminated().getReason());
                }
            }
            parts.add(c.getName() + " " + state);
        }
        return parts.isEmpty() ? "no container status" : String.join(", ", parts);
    }

    private static List<ContainerStatus> statuses(List<ContainerStatus> list) {
        return list == null ? List.of() : list;
    }

    private static String text(String s) {
        return s == null || s.isBlank() ? "" : " (" + s.strip() + ")";
    }
}
