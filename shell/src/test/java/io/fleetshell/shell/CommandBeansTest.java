package io.fleetshell.shell;

import io.fleetshell.shell.cli.LazyCommandRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.ClassPathScanningCandidateComponentProvider;
import org.springframework.core.MethodIntrospector;
import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.shell.core.command.Command;
import org.springframework.shell.core.command.CommandRegistry;
import org.springframework.shell.core.command.completion.DefaultCompletionProvider;

import java.lang.reflect.Method;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Beans are created on first use (lazy initialization, and {@link LazyCommandRegistry} makes a command's bean only
 * when it runs), so a start no longer meets a wiring error in a command it does not run: this test creates them all.
 */
class CommandBeansTest {

    @TempDir
    Path home;

    /** The @Command methods Spring Shell's own registry finds: a class-path scan of the application's package. */
    private static List<Method> scannedAsSpringShellDoes() {
        List<Method> methods = new ArrayList<>();
        for (var candidate : new ClassPathScanningCandidateComponentProvider(true).findCandidateComponents("io.fleetshell.shell")) {
            try {
                Class<?> type = Class.forName(candidate.getBeanClassName());
                methods.addAll(MethodIntrospector.selectMethods(type, (Method m) -> AnnotatedElementUtils.hasAnnotation(m,
                        org.springframework.shell.core.command.annotation.Command.class)));
            } catch (ClassNotFoundException e) {
                throw new AssertionError(e);
            }
        }
        assertThat(methods).hasSizeGreaterThan(40);
        return methods;
    }

    @Test
    void everyFleetshellBeanAndEveryCommandCanBeCreated() {
        try (ConfigurableApplicationContext context = new ShellHarness(home).context()) {
            List<String> failures = new ArrayList<>();
            int created = 0;
            for (String name : context.getBeanDefinitionNames()) {
                Class<?> type = context.getType(name, false);
                if (type == null || !type.getPackageName().startsWith("io.fleetshell")) {
                    continue;
                }
                try {
                    assertThat(context.getBean(name)).isNotNull();
                    created++;
                } catch (RuntimeException e) {
                    failures.add(name + ": " + e);
                }
            }
            assertThat(failures).isEmpty();
            assertThat(created).isGreaterThan(20);

            CommandRegistry registry = context.getBean(CommandRegistry.class);
            List<Method> methods = LazyCommandRegistry.commandMethods(context);
            assertThat(methods).containsExactlyInAnyOrderElementsOf(scannedAsSpringShellDoes());
            for (Method method : methods) {
                var annotation = method.getAnnotation(org.springframework.shell.core.command.annotation.Command.class);
                Command command = registry.getCommandByName(String.join(" ", annotation.name()));
                assertThat(command).as(method.toString()).isNotNull();
                assertThat(context.getBean(method.getDeclaringClass())).isNotNull();
                if (!annotation.completionProvider().isEmpty()) {
                    // Spring Shell ignores a provider name without a bean: a misspelt name must fail here instead
                    assertThat(command.getCompletionProvider()).as(command.getName())
                            .isNotInstanceOf(DefaultCompletionProvider.class);
                }
            }
        }
    }
}
