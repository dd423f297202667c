"""What the stages share on the app side: Redis key names (`keys`), the factory that
hands sites/ its settings and clients (`site_access`), site-wide settings, health,
housekeeping of RQ's registries, and the database schema check and commands."""
