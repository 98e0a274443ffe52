FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app
RUN useradd --create-home --uid 10001 tandem

COPY pyproject.toml README.md alembic.ini ./
COPY bot ./bot
COPY adapters ./adapters
COPY storage ./storage
COPY migrations ./migrations
COPY prompts ./prompts
RUN pip install -e . && chown -R tandem /app

USER tandem
ENV DATABASE_URL=sqlite:////app/data/tandem.db \
    TANDEM_LOG_FORMAT=json \
    PORT=3000
RUN mkdir -p /app/data
VOLUME ["/app/data"]
EXPOSE 3000
CMD ["tandem", "start"]
