# The metadata service under gunicorn. Build: docker build -t metadata-service .
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    APP_ENV=production \
    LOG_FORMAT=json \
    BIND=0.0.0.0:8000

WORKDIR /app

# Requirements first, in their own layer: a code change does not reinstall them.
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt

COPY . .
# Static files (admin, Swagger UI) are collected at build time; WhiteNoise serves them.
RUN groupadd --system --gid 10001 app \
    && useradd --system --uid 10001 --gid 10001 --home-dir /app --no-create-home app \
    && SECRET_KEY=build-only JWT_SECRET=build-only python manage.py collectstatic --noinput \
    && chown -R 10001:10001 /app/var
USER 10001:10001

EXPOSE 8000
# /health/live answers without the database; keep 127.0.0.1 in ALLOWED_HOSTS for it.
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import sys, urllib.request; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/health/live', timeout=2).status != 200)"]
CMD ["gunicorn", "metadata_service.wsgi:application", "-c", "gunicorn.conf.py"]
