"""Password hashing with argon2id, its cost taken from the app config."""

import functools
import logging
import secrets

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from flask import current_app

logger = logging.getLogger(__name__)

# Generated initial passwords: 20 characters from 120 random bits.
GENERATED_PASSWORD_BYTES = 15


def _parameters() -> tuple[int, int, int]:
    config = current_app.config
    return (
        int(config["PASSWORD_HASH_TIME_COST"]),
        int(config["PASSWORD_HASH_MEMORY_KIB"]),
        int(config["PASSWORD_HASH_PARALLELISM"]),
    )


@functools.lru_cache(maxsize=4)
def _hasher(parameters: tuple[int, int, int]) -> PasswordHasher:
    time_cost, memory_kib, parallelism = parameters
    return PasswordHasher(
        time_cost=time_cost,
        memory_cost=memory_kib,
        parallelism=parallelism,
        hash_len=32,
        salt_len=16,
        type=Type.ID,
    )


@functools.lru_cache(maxsize=4)
def _decoy_hash(parameters: tuple[int, int, int]) -> str:
    return _hasher(parameters).hash(secrets.token_hex(16))


def hash_password(password: str) -> str:
    """Hash ``password`` with the configured argon2id cost."""
    return _hasher(_parameters()).hash(password)


def verify_password(stored_hash: str, password: str) -> bool:
    """Tell whether ``password`` matches ``stored_hash``; a damaged hash never matches."""
    try:
        return _hasher(_parameters()).verify(stored_hash, password)
    except VerifyMismatchError:
        return False
    except (VerificationError, InvalidHashError):
        logger.warning("a stored password hash could not be read; the sign-in is refused")
        return False


def spend_verification_time(password: str) -> None:
    """Verify ``password`` against a decoy hash, costing what a real check costs.

    Without it an unknown email would be answered faster than a wrong password, which
    tells an attacker which emails have accounts.
    """
    verify_password(_decoy_hash(_parameters()), password)


def needs_rehash(stored_hash: str) -> bool:
    """Tell whether ``stored_hash`` was made with other parameters than the configured ones."""
    try:
        return _hasher(_parameters()).check_needs_rehash(stored_hash)
    except InvalidHashError:
        return True


def generate_password() -> str:
    """Return a random initial password for an administrator to hand over."""
    return secrets.token_urlsafe(GENERATED_PASSWORD_BYTES)
