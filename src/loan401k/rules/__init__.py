"""Pure functions of (inputs, parameter snapshot) -> result with its steps and citations."""
