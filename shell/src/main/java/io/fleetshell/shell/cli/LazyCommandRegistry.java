package io.fleetshell.shell.cli;

import org.springframework.beans.BeansException;
import org.springframework.context.ApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.MethodIntrospector;
import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.core.annotation.MergedAnnotations;
import org.springframework.shell.core.command.AbstractCommand;
import org.springframework.shell.core.command.CommandContext;
import org.springframework.shell.core.command.CommandOption;
import org.springframework.shell.core.command.CommandRegistry;
import org.springframework.shell.core.command.ExitStatus;
import org.springframework.shell.core.command.annotation.Command;
import org.springframework.shell.core.command.annotation.Option;
import org.springframework.shell.core.command.annotation.support.CommandFactoryBean;
import org.springframework.shell.core.command.availability.AvailabilityProvider;
import org.springframework.shell.core.command.completion.CompletionProvider;
import org.springframework.shell.core.command.completion.DefaultCompletionProvider;
import org.springframework.shell.core.utils.Utils;
import org.springframework.util.ClassUtils;

import java.lang.reflect.Method;
import java.lang.reflect.Parameter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * fleetshell's command registry, in place of Spring Shell's (which scans the class path a second time and
 * creates every command's bean, with everything the beans need, before the first command runs). Each
 * {@code @Command} method of a fleetshell bean is registered from its annotations alone, as Spring Shell
 * would name, describe and group it; the bean behind it and Spring Shell's own command object are made on
 * the command's first execution. A one-shot command thus creates the beans of that command only.
 * {@code CommandBeansTest} creates every command's bean, so that wiring errors the lazy start no longer
 * meets still fail the build.
 */
@Configuration(proxyBeanMethods = false)
public class LazyCommandRegistry {

    @Bean
    public CommandRegistry commandRegistry(ApplicationContext context) {
        CommandRegistry registry = new CommandRegistry();
        context.getBeansOfType(org.springframework.shell.core.command.Command.class).values().forEach(registry::registerCommand);
        for (Method method : commandMethods(context)) {
            registry.registerCommand(new LazyMethodCommand(method, context));
        }
        registry.registerCommand(Utils.QUIT_COMMAND);
        return registry;
    }

    /** The {@code @Command} methods of fleetshell's beans, read from their bean definitions without creating them. */
    public static List<Method> commandMethods(ApplicationContext context) {
        List<Method> methods = new ArrayList<>();
        for (String name : context.getBeanDefinitionNames()) {
            Class<?> type = context.getType(name, false);
            if (type == null || !type.getPackageName().startsWith("io.fleetshell")) {
                continue;
            }
            Class<?> user = ClassUtils.getUserClass(type);
            methods.addAll(MethodIntrospector.selectMethods(user,
                    (Method m) -> AnnotatedElementUtils.hasAnnotation(m, Command.class)));
        }
        return methods;
    }

    /**
     * One annotated command: its name, description, group, aliases and options as Spring Shell's
     * {@link CommandFactoryBean} derives them; the real command (bean, conversion, validation, exit status
     * mapping) comes from that factory on the first execution.
     */
    static final class LazyMethodCommand extends AbstractCommand {

        private final Method method;
        private final ApplicationContext context;
        private final String availabilityProviderName;
        private final String completionProviderName;
        private volatile org.springframework.shell.core.command.Command target;
        private volatile CompletionProvider completionProvider;

        LazyMethodCommand(Method method, ApplicationContext context) {
            this(method, context, MergedAnnotations.from(method).get(Command.class).synthesize());
        }

        private LazyMethodCommand(Method method, ApplicationContext context, Command command) {
            super(name(method, command), command.description().isEmpty() ? "N/A" : command.description(),
                    group(method, command), command.help(), command.hidden());
            this.method = method;
            this.context = context;
            this.availabilityProviderName = command.availabilityProvider();
            this.completionProviderName = command.completionProvider();
            setAliases(Arrays.stream(command.alias()).toList());
            setOptions(options(method));
        }

        private static String name(Method method, Command command) {
            String name = String.join(" ", command.name());
            return name.isEmpty() ? Utils.unCamelify(method.getName()) : name;
        }

        private static String group(Method method, Command command) {
            if (!command.group().isEmpty()) {
                return command.group();
            }
            String group = Utils.splitCamelCase(method.getDeclaringClass().getSimpleName());
            return group.endsWith(" Commands") ? group : group + " Commands";
        }

        private static List<CommandOption> options(Method method) {
            List<CommandOption> options = new ArrayList<>();
            for (Parameter parameter : method.getParameters()) {
                Option option = parameter.getAnnotation(Option.class);
                if (option != null) {
                    options.add(CommandOption.with()
                            .shortName(option.shortName())
                            .longName(option.longName().isEmpty() ? parameter.getName() : option.longName())
                            .description(option.description())
                            .required(option.required())
                            .defaultValue(option.defaultValue())
                            .type(parameter.getType())
                            .build());
                }
            }
            return options;
        }

        @Override
        public ExitStatus execute(CommandContext commandContext) throws Exception {
            return target().execute(commandContext);
        }

        @Override
        public ExitStatus doExecute(CommandContext commandContext) throws Exception {
            return target().execute(commandContext);
        }

        private org.springframework.shell.core.command.Command target() {
            org.springframework.shell.core.command.Command made = target;
            if (made == null) {
                synchronized (this) {
                    made = target;
                    if (made == null) {
                        CommandFactoryBean factory = new CommandFactoryBean(method);
                        factory.setApplicationContext(context);
                        made = factory.getObject();
                        target = made;
                    }
                }
            }
            return made;
        }

        @Override
        public AvailabilityProvider getAvailabilityProvider() {
            if (availabilityProviderName.isEmpty()) {
                return AvailabilityProvider.alwaysAvailable();
            }
            return target().getAvailabilityProvider();
        }

        @Override
        public CompletionProvider getCompletionProvider() {
            CompletionProvider provider = completionProvider;
            if (provider == null) {
                provider = new DefaultCompletionProvider();
                if (!completionProviderName.isEmpty()) {
                    try {
                        provider = context.getBean(completionProviderName, CompletionProvider.class);
                    } catch (BeansException e) {
                        // as Spring Shell does: a name without a bean completes nothing special
                    }
                }
                completionProvider = provider;
            }
            return provider;
        }
    }
}
