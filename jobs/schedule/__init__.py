"""What runs when, and the process that runs it.

- `jobs.schedule.timetable`: each task's cron expression and freshness, and the same as cron lines
  (`dltrends crontab`);
- `jobs.schedule.daemon`: `dltrends schedule`, the long-running process that runs each task.
"""
