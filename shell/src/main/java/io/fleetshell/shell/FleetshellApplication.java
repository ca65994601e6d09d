package io.fleetshell.shell;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/** Starts fleetshell: the REPL without arguments, one command with them. The exit status is the command's. */
@SpringBootApplication
public class FleetshellApplication {

    public static void main(String[] args) {
        System.exit(SpringApplication.exit(application().run(args)));
    }

    /**
     * The application as main runs it. Arguments are the command's own: Spring must not read
     * {@code --name=value} words as its properties (a command's {@code --debug} would turn on debug logging).
     */
    public static SpringApplication application() {
        SpringApplication app = new SpringApplication(FleetshellApplication.class);
        app.setAddCommandLineProperties(false);
        return app;
    }
}
