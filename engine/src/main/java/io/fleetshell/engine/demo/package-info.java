/**
 * The bundled demo fleet: stdlib-only Python agents with real HTTP health and metrics endpoints and
 * startup configs for two machines, copied out of the jar so the whole loop works with nothing installed.
 */
package io.fleetshell.engine.demo;
