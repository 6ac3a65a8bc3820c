# syntax=docker/dockerfile:1
# The API image: migrates the database, then serves FastAPI with uvicorn, and with it the
# built web builder (one port for the whole product).
# Build from the repository root:
#   docker build -f deploy/docker/api.Dockerfile -t genai-stack-api .

# The web builder, built in its own stage: Node stays out of the final image.
FROM node:20-slim AS frontend
WORKDIR /frontend
COPY frontend/package.json frontend/package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY frontend/ ./
RUN npm run build

FROM python:3.11-slim

ARG TORCH_VERSION=2.13.0

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_CONSTRAINT=/etc/pip/constraints.txt \
    DATA_DIR=/data

# tini is PID 1: it forwards SIGTERM so shutdown is graceful.
# hadolint ignore=DL3008
RUN apt-get update \
 && apt-get install -y --no-install-recommends tini \
 && rm -rf /var/lib/apt/lists/*

# CPU torch first, pinned by a constraint for every later pip call: the project
# needs torch (through sentence-transformers) and would otherwise pull the CUDA build.
RUN mkdir -p /etc/pip \
 && echo "torch==${TORCH_VERSION}" > /etc/pip/constraints.txt \
 && pip install "torch==${TORCH_VERSION}" --index-url https://download.pytorch.org/whl/cpu

RUN groupadd --system --gid 10001 app \
 && useradd --system --uid 10001 --gid app --create-home --home-dir /home/app --shell /usr/sbin/nologin app \
 && mkdir -p /data \
 && chown app:app /data

WORKDIR /app
# The code stays root-owned and read-only to the app user; alembic.ini and the
# migrations are read from here by `alembic upgrade head`.
COPY . .
RUN pip install . \
 && rm -rf build ./*.egg-info
COPY --from=frontend /frontend/dist /app/frontend/dist

USER 10001:10001
EXPOSE 8000

HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
  CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/health/live', timeout=4)"]

ENTRYPOINT ["tini", "--"]
CMD ["sh", "-c", "alembic upgrade head && exec uvicorn api.main:app --host 0.0.0.0 --port 8000"]
