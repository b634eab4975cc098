"""Nothing from the personnel register is registered in the admin: the administrator role manages
users and configuration and must not see case content (people, vetting, allegations)."""
