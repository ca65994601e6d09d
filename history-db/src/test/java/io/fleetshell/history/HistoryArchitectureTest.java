package io.fleetshell.history;

import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

/** history-db's rule of ARCHITECTURE.md, on its compiled classes: it stores and loads, and knows nothing of the shell. */
class HistoryArchitectureTest {

    @Test
    void historyDbUsesNoShellNoSpringAndNoTerminal() {
        noClasses().should().dependOnClassesThat().resideInAnyPackage("io.fleetshell.shell..", "org.springframework..", "org.jline..")
                .check(new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                        .importPackages("io.fleetshell.history"));
    }
}
