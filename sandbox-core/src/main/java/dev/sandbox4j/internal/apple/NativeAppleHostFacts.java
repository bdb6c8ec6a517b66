package dev.sandbox4j.internal.apple;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Pointer;
import dev.sandbox4j.SandboxException;
import dev.sandbox4j.internal.NativeHost;
import java.util.Optional;

/**
 * {@link AppleHostFacts} from the running Mac. Sysctls go through {@link NativeHost.Darwin}; the
 * Virtualization.framework class properties through the Objective-C runtime. {@code objc_msgSend} is bound
 * once per return type with a fixed two-argument prototype ({@code id self, SEL op}) — never as a Java varargs
 * method, because on arm64 variadic arguments travel on the stack and the callee would read garbage. Nothing
 * native is loaded until a method is called.
 */
final class NativeAppleHostFacts implements AppleHostFacts {
    private static final String VIRTUALIZATION = "/System/Library/Frameworks/Virtualization.framework/Virtualization";

    /** {@code objc_getClass} and {@code sel_registerName}. */
    interface ObjcRuntime extends Library {
        Pointer objc_getClass(String name);

        Pointer sel_registerName(String name);
    }

    /** {@code objc_msgSend} as {@code BOOL (*)(id, SEL)}; BOOL is one byte, only its low 8 bits are defined. */
    interface MsgSendBool extends Library {
        byte objc_msgSend(Pointer receiver, Pointer selector);
    }

    /** {@code objc_msgSend} as {@code NSUInteger/uint64_t (*)(id, SEL)}. */
    interface MsgSendLong extends Library {
        long objc_msgSend(Pointer receiver, Pointer selector);
    }

    /** Loaded on first use, so merely referencing {@link AppleHostFacts#NATIVE} touches no native code. */
    private static final class Objc {
        static final NativeLibrary FRAMEWORK = NativeLibrary.getInstance(VIRTUALIZATION);
        static final ObjcRuntime RUNTIME = Native.load("objc", ObjcRuntime.class);
        static final MsgSendBool BOOL = Native.load("objc", MsgSendBool.class);
        static final MsgSendLong LONG = Native.load("objc", MsgSendLong.class);

        static Pointer cls(String name) {
            if (FRAMEWORK == null) {
                throw new SandboxException("Virtualization.framework could not be loaded");
            }
            Pointer c = RUNTIME.objc_getClass(name);
            if (c == null) {
                throw new SandboxException("Objective-C class " + name + " not found: Virtualization.framework "
                        + "is missing or too old (macOS 11 or later is needed)");
            }
            return c;
        }

        static Pointer sel(String name) {
            return RUNTIME.sel_registerName(name);
        }
    }

    @Override
    public Optional<String> sysctlString(String name) {
        return NativeHost.Darwin.sysctlString(name);
    }

    @Override
    public Optional<Long> sysctlLong(String name) {
        return NativeHost.Darwin.sysctlLong(name);
    }

    @Override
    public Optional<String> readFile(String path) {
        return NativeHost.Darwin.SOURCE.readFile(path);
    }

    @Override
    public boolean virtualizationSupported() {
        return Objc.BOOL.objc_msgSend(Objc.cls("VZVirtualMachine"), Objc.sel("isSupported")) != 0;
    }

    @Override
    public long maximumAllowedCpuCount() {
        return Objc.LONG.objc_msgSend(Objc.cls("VZVirtualMachineConfiguration"), Objc.sel("maximumAllowedCPUCount"));
    }

    @Override
    public long maximumAllowedMemorySize() {
        return Objc.LONG.objc_msgSend(Objc.cls("VZVirtualMachineConfiguration"),
                Objc.sel("maximumAllowedMemorySize"));
    }
}
