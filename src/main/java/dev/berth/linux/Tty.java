package dev.berth.linux;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;

import static dev.berth.linux.Native.call;
import static dev.berth.linux.Native.errnoFn;
import static dev.berth.linux.Native.fn;
import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

/** Terminals: whether a descriptor is one, its termios modes, and the ioctl numbers of ptys and sizes. */
public final class Tty {
    private static final Native.Downcall TCGETATTR = errnoFn("tcgetattr", JAVA_INT, JAVA_INT, ADDRESS);
    private static final Native.Downcall TCSETATTR = errnoFn("tcsetattr", JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS);
    private static final Native.Downcall CFMAKERAW = new Native.Downcall("cfmakeraw", FunctionDescriptor.ofVoid(ADDRESS));
    private static final Native.Downcall ISATTY = fn("isatty", JAVA_INT, JAVA_INT);

    private Tty() {}

    public static final long TIOCGWINSZ = 0x5413, TIOCSWINSZ = 0x5414, TIOCGPTN = 0x80045430L, TIOCSPTLCK = 0x40045431L;

    public static boolean isatty(int fd) {
        try {
            return (int) ISATTY.handle().invokeExact(fd) == 1;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    public static final int TERMIOS_SIZE = 60, TCSANOW = 0;

    public static void tcgetattr(int fd, MemorySegment termios) {
        call("tcgetattr", null, (st, a) -> (int) TCGETATTR.handle().invokeExact(st, fd, termios));
    }

    public static void tcsetattr(int fd, MemorySegment termios) {
        call("tcsetattr", null, (st, a) -> (int) TCSETATTR.handle().invokeExact(st, fd, TCSANOW, termios));
    }

    public static void cfmakeraw(MemorySegment termios) {
        try {
            CFMAKERAW.handle().invokeExact(termios);
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }
}
