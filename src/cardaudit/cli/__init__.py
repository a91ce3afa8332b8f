"""The command-line interface: parse flags, call the library, print. Nothing else."""
