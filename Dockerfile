# The metadata service under gunicorn. Build: docker build -t metadata-service .
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    APP_ENV=production \
    BIND=0.0.0.0:8000

WORKDIR /app

# Requirements first, in their own layer: code changes do not reinstall them.
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt

COPY . .
RUN useradd --system --uid 10001 --home-dir /app app \
    && SECRET_KEY=build-only JWT_SECRET=build-only python manage.py collectstatic --noinput \
    && chown -R app /app/var
USER app

EXPOSE 8000
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s --retries=3 \
    CMD python -c "import urllib.request,sys; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/contexts/Metadata', timeout=2).status != 200)"
CMD ["gunicorn", "metadata_service.wsgi:application", "-c", "gunicorn.conf.py"]
