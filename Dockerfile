# Tandem's image: `docker build -t tandem .` (README, "Docker").
#
# Python 3.11 on Debian 12 "bookworm" (both stages): the release is named so that a rebuild
# next year gets the same operating system, not whatever "slim" points to by then.

# ---- the wheel, built from the source alone -------------------------------------------------
FROM python:3.11-slim-bookworm AS wheel
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /src
COPY constraints.txt ./
RUN pip install --quiet -c constraints.txt hatchling
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY adapters ./adapters
COPY storage ./storage
COPY prompts ./prompts
COPY migrations ./migrations
RUN pip wheel --quiet --no-deps --no-build-isolation --wheel-dir /wheels .

# ---- the image -------------------------------------------------------------------------------
FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# tini runs as PID 1: the kernel gives PID 1 no default signal handling, so without it a
# `docker stop` (SIGTERM) would be ignored until the grace period ends and the process is killed.
# tini forwards the signal to tandem and exits with its exit code.
RUN apt-get update \
 && apt-get install -y --no-install-recommends tini \
 && rm -rf /var/lib/apt/lists/* /var/cache/apt/*.bin

# The dependencies in their own layer, pinned by constraints.txt, before any source: changing a
# line of code rebuilds only the small layers below.
COPY constraints.txt pyproject.toml /tmp/deps/
RUN python -c "import tomllib; print('\n'.join(tomllib.load(open('/tmp/deps/pyproject.toml', 'rb'))['project']['dependencies']))" \
      > /tmp/deps/requirements.txt \
 && pip install --quiet -r /tmp/deps/requirements.txt -c /tmp/deps/constraints.txt \
 && rm -rf /tmp/deps

# The code: a regular install into site-packages, owned by root. The app user can write only
# its data folder (the SQLite file when DATABASE_URL is not PostgreSQL).
COPY --from=wheel /wheels /tmp/wheels
RUN pip install --quiet --no-deps /tmp/wheels/*.whl && rm -rf /tmp/wheels

RUN groupadd --system --gid 10001 tandem \
 && useradd --system --uid 10001 --gid tandem --home-dir /app/data --shell /usr/sbin/nologin tandem \
 && mkdir -p /app/data && chown tandem:tandem /app/data
USER tandem
WORKDIR /app/data
ENV DATABASE_URL=sqlite:////app/data/tandem.db \
    TANDEM_LOG_FORMAT=json \
    PORT=3000
VOLUME ["/app/data"]
EXPOSE 3000

# Liveness only (the process answers HTTP); /readyz tells whether the database answers.
# The image has no curl: Python asks.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/healthz' % os.environ.get('PORT', '3000'), timeout=4)"]

# Exec form, no shell: the signal goes from tini straight to the Python process.
# `docker run tandem db upgrade`, `docker run -it tandem console` run other commands.
ENTRYPOINT ["tini", "--", "tandem"]
CMD ["start"]
