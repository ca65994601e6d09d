package io.fleetshell.shell.commands;

import io.fleetshell.shell.cli.HelpRenderer;
import io.fleetshell.shell.cli.ValueCompletions;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.shell.core.command.completion.CompletionContext;
import org.springframework.shell.core.command.completion.CompletionProposal;
import org.springframework.shell.core.command.completion.CompletionProvider;

import java.util.List;

/** The completion providers commands name for their positional arguments. */
@Configuration
public class Completions {

    @Bean
    public CompletionProvider agentCompletion(ValueCompletions values) {
        return context -> proposals(values.agents(typed(context)));
    }

    /** Agents, then the fleet's own modules by dotted name and by path under the fleet root ({@code score}). */
    @Bean
    public CompletionProvider agentOrModuleCompletion(ValueCompletions values) {
        return context -> {
            String typed = typed(context);
            if (typed.contains(",")) {
                return proposals(values.eachOfList(typed, values::modules)); // optimize M1,M2: a joint change of modules
            }
            List<CompletionProposal> all = new java.util.ArrayList<>(proposals(values.agents(typed)));
            all.addAll(proposals(values.modules(typed)));
            return all;
        };
    }

    /** The fleet's own modules by dotted name and by path under the fleet root. */
    @Bean
    public CompletionProvider moduleCompletion(ValueCompletions values) {
        return context -> proposals(values.modules(typed(context)));
    }

    /** Deployment ids for deploy status|pause|resume|abort and explain, with their dates, patterns and states. */
    @Bean
    public CompletionProvider deploymentCompletion(ValueCompletions values) {
        return context -> proposals(values.deployments(typed(context)));
    }

    /** Agents and shared modules that have a change to roll back, with the deployment, date and pattern. */
    @Bean
    public CompletionProvider rollbackCompletion(ValueCompletions values) {
        return context -> proposals(values.agentsWithBackups(typed(context)));
    }

    @Bean
    public CompletionProvider pathCompletion(ValueCompletions values) {
        return context -> proposals(values.paths(typed(context)));
    }

    /** Playbooks by name from {@code playbook list}'s directories, then paths (a playbook may live anywhere). */
    @Bean
    public CompletionProvider playbookCompletion(ValueCompletions values, PlaybookCommands playbooks) {
        return context -> {
            String typed = typed(context);
            List<CompletionProposal> named = playbooks.library().list().stream()
                    .map(e -> e.file().getFileName().toString().replaceFirst("\\.js$", ""))
                    .filter(name -> !typed.contains("/") && name.startsWith(typed))
                    .distinct()
                    .map(name -> new CompletionProposal(name).description("playbook"))
                    .toList();
            List<CompletionProposal> all = new java.util.ArrayList<>(named);
            all.addAll(proposals(values.paths(typed)));
            return all;
        };
    }

    @Bean
    public CompletionProvider commandCompletion(HelpRenderer help) {
        return context -> help.visibleCommands().stream()
                .map(c -> c.getName().split(" ")[0])
                .distinct()
                .map(CompletionProposal::new)
                .toList();
    }

    private static String typed(CompletionContext context) {
        String word = context.currentWordUpToCursor();
        return word == null ? "" : word;
    }

    private static List<CompletionProposal> proposals(List<ValueCompletions.Value> values) {
        return values.stream()
                .map(v -> new CompletionProposal(v.text()).description(v.description()).complete(v.complete()))
                .toList();
    }
}
