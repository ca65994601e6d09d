package io.fleetshell.shell.cli;

import org.springframework.context.ApplicationContext;
import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.shell.core.command.annotation.Argument;
import org.springframework.shell.core.command.annotation.Arguments;
import org.springframework.shell.core.command.annotation.Command;
import org.springframework.stereotype.Component;

import java.lang.reflect.Method;
import java.lang.reflect.Parameter;
import java.util.HashMap;
import java.util.Map;

/**
 * What fleetshell needs to know of each annotated command method that Spring Shell's command objects
 * do not expose: whether it is {@link Journaled}, and how many positional arguments it takes.
 */
@Component
public class CommandMethods {

    /** Facts about one command method; {@code maxArguments} is -1 for any number. */
    public record Facts(boolean journaled, int maxArguments) {
    }

    private static final Facts BUILT_IN = new Facts(false, -1);

    private final ApplicationContext context;
    private Map<String, Facts> byName;

    public CommandMethods(ApplicationContext context) {
        this.context = context;
    }

    public synchronized Facts of(String commandName) {
        if (byName == null) {
            byName = scan();
        }
        return byName.getOrDefault(commandName, BUILT_IN);
    }

    private Map<String, Facts> scan() {
        Map<String, Facts> facts = new HashMap<>();
        for (Method method : LazyCommandRegistry.commandMethods(context)) {
            Command command = AnnotatedElementUtils.findMergedAnnotation(method, Command.class);
            int max = 0;
            for (Parameter parameter : method.getParameters()) {
                if (parameter.isAnnotationPresent(Arguments.class)) {
                    max = -1;
                    break;
                }
                if (parameter.isAnnotationPresent(Argument.class)) {
                    max++;
                }
            }
            facts.put(String.join(" ", command.name()), new Facts(method.isAnnotationPresent(Journaled.class), max));
        }
        return facts;
    }
}
