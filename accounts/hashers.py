"""Password hashing: Argon2id with OWASP's recommended cost, sized for the pods' memory."""

from django.contrib.auth.hashers import Argon2PasswordHasher


class Argon2idPasswordHasher(Argon2PasswordHasher):
    """Argon2id at m=19 MiB, t=2, p=1 (OWASP's Password Storage Cheat Sheet).

    Django's own parameters take 100 MiB for each check (m=102400 KiB, p=8): four sign-ins
    at once in a pod of two workers with two threads each would need 400 MiB on top of the
    workers themselves, past the Kubernetes example's 512 MiB limit (docs/deploying/kubernetes.md,
    "Memory per pod").
    The algorithm's name stays `argon2`, so hashes made with Django's parameters verify,
    and Django's `must_update` (which compares the parameters) rehashes each with these
    the next time its user signs in.
    """

    time_cost = 2
    memory_cost = 19 * 1024  # KiB
    parallelism = 1
