"""Time one password check with the production hash parameters (goal: well under 200 ms)."""

from __future__ import annotations

import statistics
import timeit

from werkzeug.security import check_password_hash, generate_password_hash

from config import Config


def main() -> None:
    method = Config.PASSWORD_HASH_METHOD
    hashed = generate_password_hash("a sample password", method=method)
    runs = timeit.repeat(
        lambda: check_password_hash(hashed, "a sample password"), number=1, repeat=15
    )
    print(
        f"{method}: median {statistics.median(runs) * 1000:.1f} ms, max {max(runs) * 1000:.1f} ms"
    )


if __name__ == "__main__":
    main()
