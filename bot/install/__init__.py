"""OAuth mode: installing Review Watch in many workspaces through "Add to Slack".

crypto.py encrypts tokens at rest; store.py is slack_sdk's installation and state stores on
the app's home database; tokens.py hands out each workspace's bot token, refreshing it once
under a lock when rotation is on; report.py is `python app.py workspaces` and
`rotate-token-key`. Bolt's side (the OAuth flow, its pages, the uninstall listeners) is
handlers/install.py.
"""
