package io.fleetshell.shell;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/** Starts fleetshell: the REPL without arguments, one command with them. The exit status is the command's. */
@SpringBootApplication
public class FleetshellApplication {

    public static void main(String[] args) {
        System.exit(SpringApplication.exit(SpringApplication.run(FleetshellApplication.class, args)));
    }
}
