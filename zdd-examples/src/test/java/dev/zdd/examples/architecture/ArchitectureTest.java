package dev.zdd.examples.architecture;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.EvaluationResult;
import dev.zdd.haproxy.archfixture.AdapterImportingInternal;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The dependency rules of docs/architecture.md, checked on the compiled main classes of every module (zdd-examples
 * depends on all of them), so that a breach fails the build instead of waiting for a review:
 * <ul>
 *   <li>nobody outside a module imports its {@code internal} packages;</li>
 *   <li>zdd-api depends on the JDK only;</li>
 *   <li>zdd-nginx uses zdd-api only (no zdd-core at all); zdd-docker and zdd-haproxy use zdd-core only where stated;</li>
 *   <li>production code never uses a test kit ({@code ..testing..}), except other test kits and the examples.</li>
 * </ul>
 * A second test checks that the internal rule really fails on an adapter class that imports an internal package.
 */
class ArchitectureTest {
    private static final List<String> MODULES = List.of("api", "core", "nginx", "haproxy", "docker", "ssh");
    private static final JavaClasses MAIN = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.zdd");

    /** One rule per module: classes outside the module do not depend on its internal packages. */
    static List<ArchRule> internalRules() {
        List<ArchRule> rules = new ArrayList<>();
        for (String m : MODULES) {
            rules.add(noClasses().that().resideOutsideOfPackage("dev.zdd." + m + "..")
                    .should().dependOnClassesThat().resideInAPackage("dev.zdd." + m + "..internal..")
                    .because("internal packages of zdd-" + m + " are not an API (docs/architecture.md)"));
        }
        return rules;
    }

    @Test
    void nobodyImportsAnotherModulesInternals() {
        assertTrue(MAIN.size() > 300, "imported " + MAIN.size() + " classes: the modules are on the class path");
        internalRules().forEach(r -> r.check(MAIN));
    }

    @Test
    void theApiDependsOnTheJdkOnly() {
        classes().that().resideInAPackage("dev.zdd.api..")
                .should().onlyDependOnClassesThat().resideInAnyPackage("dev.zdd.api..", "java..")
                .check(MAIN);
    }

    @Test
    void adaptersUseCoreOnlyWhereStated() {
        noClasses().that().resideInAPackage("dev.zdd.nginx..")
                .should().dependOnClassesThat().resideInAPackage("dev.zdd.core..")
                .because("zdd-nginx depends on zdd-api only").check(MAIN);
        noClasses().that().resideInAPackage("dev.zdd.docker..").and().resideOutsideOfPackage("dev.zdd.docker.testing..")
                .should().dependOnClassesThat().resideInAPackage("dev.zdd.core..")
                .because("zdd-core is an optional dependency of zdd-docker, for its test kit only").check(MAIN);
    }

    @Test
    void productionCodeNeverUsesATestKit() {
        // the one exception: Engine.Builder recognises the test kit's VirtualScheduler to run blocking calls on its
        // virtual executor (so that virtual time stays deterministic)
        noClasses().that().resideOutsideOfPackages("..testing..", "dev.zdd.examples..")
                .and().doNotHaveFullyQualifiedName("dev.zdd.core.Engine$Builder")
                .should().dependOnClassesThat().resideInAPackage("..testing..")
                .because("test kits are for tests (README: adding the test kit)").check(MAIN);
    }

    @Test
    void theInternalRuleFailsOnAnAdapterThatImportsAnInternalPackage() {
        JavaClasses breach = new ClassFileImporter().importClasses(AdapterImportingInternal.class);
        EvaluationResult core = internalRules().get(MODULES.indexOf("core")).evaluate(breach);
        assertTrue(core.hasViolation(), "the rule must catch dev.zdd.haproxy importing dev.zdd.core.internal");
        assertTrue(core.getFailureReport().toString().contains("dev.zdd.core.internal.Durations"),
                core.getFailureReport().toString());
    }
}
