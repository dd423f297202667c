"""What a user is told: the in-app inbox and delivery to the user's targets (Apprise)."""
