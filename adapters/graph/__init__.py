"""Microsoft Graph with application permissions: the token, and the directory of a tenant."""
