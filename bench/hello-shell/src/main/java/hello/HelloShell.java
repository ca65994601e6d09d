package hello;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.shell.core.command.annotation.Command;
import org.springframework.stereotype.Component;

/** The smallest Spring Shell 4 app: one command; the REPL without arguments, that command with them. */
@SpringBootApplication
public class HelloShell {

    public static void main(String[] args) {
        new SpringApplicationBuilder(HelloShell.class)
                .properties("spring.shell.interactive.enabled=" + (args.length == 0))
                .run(args);
    }

    @Component
    static class Commands {
        @Command(name = "hello", description = "Says hello")
        public String hello() {
            return "hello";
        }
    }
}
