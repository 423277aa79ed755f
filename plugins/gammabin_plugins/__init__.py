"""Built-in gammabin makers, each one plugin module registered through the ``gammabin`` entry-point group."""
