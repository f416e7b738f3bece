"""``sagemaker-stop``: stop SageMaker Pipelines executions from a terminal or a CI job.

The package imports only the standard library up front; a command's module, and the
client, operations or emulator it uses, are imported when that command runs
(``--version`` and ``--help`` take a few tens of milliseconds).

==============  ========================================================================
``app``         one run: parse, dispatch, exceptions -> exit code and error message
``parser``      argparse: the commands, options, option types and help texts
``exits``       the exit codes, which wins among several, ``UsageError``, ``Declined``
``console``     stdout and stderr, the TTY progress line (cut to the terminal's width),
                notes, the confirmation prompt
``progress``    ``stop --wait`` on a terminal: the status line ticking every second, what
                holds the stop (and the command that releases a Callback step) once
``results``     what the commands compute (one value per result) for the renderer
``render``      results and errors as text or JSON (``--output``)
``connect``     the client the global options describe
``stop``, ``status``, ``start``, ``callback``, ``emulator``, ``demo``: one per command
``worker``      a Callback-step worker running a command per message (``worker.py``)
==============  ========================================================================

Exit codes (see :data:`~sagemaker_stop.cli.exits.EXIT_CODES`):

====  ===================================================================================
0     done
1     a service or network error (or the bulk-stop confirmation was declined)
2     a usage or validation error: nothing was sent (bad arguments, an invalid ARN or
      token, a configuration error, no credentials found)
3     ``--wait`` timed out before the execution ended
4     ``--wait``: the execution ended Failed
130   interrupted (Ctrl-C)
====  ===================================================================================

With several executions the most serious outcome wins: 130, 2, 1, 4, 3, then 0.
"""

from .app import main, run

__all__ = ["main", "run"]
