"""Public exceptions.

ZhengceError
├── InputError    an input document cannot be read (corrupt, encrypted, empty, unsupported, too large)
├── StageError    a pipeline stage failed on a document it could read
├── RuleError     a rule or profile cannot be evaluated
└── ConfigError   the installation or options are wrong (missing model, bad setting)
"""

from __future__ import annotations


class ZhengceError(Exception):
    """Base class of every error zhengce raises on purpose."""


class InputError(ZhengceError):
    """The input cannot be read; the message names the input and the problem."""


class StageError(ZhengceError):
    """A stage failed on a readable document."""


class RuleError(ZhengceError):
    """A rule or an applicant profile cannot be evaluated."""


class ConfigError(ZhengceError):
    """The installation or the options are wrong."""
