from dltrends import lifeline
from jobs.cli import main

lifeline.arm_from_env()  # a scheduled job dies with its scheduler (dltrends.lifeline)
main()
