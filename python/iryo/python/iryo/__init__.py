"""iryo: the `iryo` command (installed with this package) and `iryo.hiyari.read_db`."""
