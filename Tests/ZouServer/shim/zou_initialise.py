"""init-db, init-data and create-admin in one process: each `zou` command costs about five
seconds of importing the app. Arguments: the admin's email and password."""
import sys

from zou import cli

email, password = sys.argv[1], sys.argv[2]
for arguments in (["init-db"], ["init-data"], ["create-admin", email, "--password", password]):
    cli.cli.main(arguments, standalone_mode=False)
