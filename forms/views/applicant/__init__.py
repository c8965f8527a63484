"""The signed-in person's pages: account, the wizard, fulfilment of requirements, tokens, security settings."""
