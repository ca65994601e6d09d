package io.fleetshell.engine;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.library.dependencies.SliceAssignment;
import com.tngtech.archunit.library.dependencies.SliceIdentifier;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

/**
 * The engine's rules of ARCHITECTURE.md, checked with ArchUnit on its compiled classes (so a fully qualified
 * name in code counts as much as an import): the engine knows nothing of Spring, the terminal, SQL or the
 * modules built on it, and its packages, the root package included, depend on each other without a cycle.
 */
class EngineArchitectureTest {

    private static final JavaClasses ENGINE = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("io.fleetshell.engine");

    /** One slice per package, the root package {@code io.fleetshell.engine} included. */
    private static final SliceAssignment PACKAGES = new SliceAssignment() {
        @Override
        public SliceIdentifier getIdentifierOf(JavaClass javaClass) {
            return SliceIdentifier.of(javaClass.getPackageName());
        }

        @Override
        public String getDescription() {
            return "the engine's packages";
        }
    };

    @Test
    void theEngineUsesNoSpringNoTerminalNoSqlAndNoModuleBuiltOnIt() {
        noClasses().should().dependOnClassesThat().resideInAnyPackage("org.springframework..", "org.jline..", "java.sql..",
                        "javax.sql..", "io.fleetshell.history..", "io.fleetshell.shell..")
                .because("the engine is the domain; the shell and history-db are its edges (ARCHITECTURE.md)")
                .check(ENGINE);
    }

    @Test
    void theEnginesPackagesHaveNoCycle() {
        slices().assignedFrom(PACKAGES).should().beFreeOfCycles().check(ENGINE);
    }
}
