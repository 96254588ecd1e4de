"""Editor accounts, roles, sign-in, the audit log and the /manage shell."""
