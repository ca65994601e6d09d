"""Shared code for the fleetshell demo fleet."""
