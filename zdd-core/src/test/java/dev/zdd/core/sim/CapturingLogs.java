package dev.zdd.core.sim;

import org.slf4j.ILoggerFactory;
import org.slf4j.IMarkerFactory;
import org.slf4j.Logger;
import org.slf4j.Marker;
import org.slf4j.event.Level;
import org.slf4j.helpers.BasicMarkerFactory;
import org.slf4j.helpers.LegacyAbstractLogger;
import org.slf4j.helpers.MessageFormatter;
import org.slf4j.helpers.NOPMDCAdapter;
import org.slf4j.spi.MDCAdapter;
import org.slf4j.spi.SLF4JServiceProvider;

/**
 * A test-only slf4j provider for zdd-core's tests (registered in {@code META-INF/services}): silent, except that ERROR
 * logs of the engine's actors go to {@link ActorErrors}. zdd-core itself ships no binding.
 */
public final class CapturingLogs implements SLF4JServiceProvider {
    private final Factory factory = new Factory();
    private final IMarkerFactory markers = new BasicMarkerFactory();
    private final MDCAdapter mdc = new NOPMDCAdapter();

    @Override
    public ILoggerFactory getLoggerFactory() {
        return factory;
    }

    @Override
    public IMarkerFactory getMarkerFactory() {
        return markers;
    }

    @Override
    public MDCAdapter getMDCAdapter() {
        return mdc;
    }

    @Override
    public String getRequestedApiVersion() {
        return "2.0.99";
    }

    @Override
    public void initialize() {
    }

    /** Hands out {@link Capturing} loggers. */
    static final class Factory implements ILoggerFactory {
        @Override
        public Logger getLogger(String name) {
            return new Capturing(name);
        }
    }

    /** Enabled only at ERROR for the actor logger. */
    static final class Capturing extends LegacyAbstractLogger {
        private static final long serialVersionUID = 1L;
        private final boolean errors;

        Capturing(String name) {
            this.name = name;
            this.errors = ActorErrors.LOGGER.equals(name);
        }

        @Override
        public boolean isTraceEnabled() {
            return false;
        }

        @Override
        public boolean isDebugEnabled() {
            return false;
        }

        @Override
        public boolean isInfoEnabled() {
            return false;
        }

        @Override
        public boolean isWarnEnabled() {
            return false;
        }

        @Override
        public boolean isErrorEnabled() {
            return errors;
        }

        @Override
        protected String getFullyQualifiedCallerName() {
            return null;
        }

        @Override
        protected void handleNormalizedLoggingCall(Level level, Marker marker, String pattern, Object[] args,
                                                   Throwable t) {
            if (level == Level.ERROR && errors) {
                ActorErrors.record(MessageFormatter.basicArrayFormat(pattern, args), t);
            }
        }
    }
}
