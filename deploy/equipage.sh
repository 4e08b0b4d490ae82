#!/bin/sh
# Équipage : lancer une commande « equipage » sur le serveur, exactement comme le service.
#
# Installation (une seule fois) :
#   sudo install -m 0755 /opt/equipage/deploy/equipage.sh /usr/local/bin/equipage
# Ensuite, par exemple :
#   sudo equipage doctor
#   sudo equipage admin invite-worker --name "Séverine D."
#   sudo equipage admin workers
#
# Ce que fait ce script : il lit les réglages de /etc/equipage/equipage.env,
# se place dans /opt/equipage (là où sont dialogs/ et locales/), puis lance la
# commande sous l'utilisateur « equipage », propriétaire de la base et de la clé.
# Sans lui, une commande lancée en root créerait des fichiers que le bot ne peut plus lire.
set -eu

APP_DIR=/opt/equipage
ENV_FILE=/etc/equipage/equipage.env

if [ "$(id -u)" -ne 0 ]; then
    echo "Lancez cette commande avec sudo, par exemple : sudo equipage doctor" >&2
    exit 2
fi
if [ ! -x "$APP_DIR/.venv/bin/equipage" ]; then
    echo "Équipage n'est pas installé dans $APP_DIR (voir deploy/README.md, « Installer »)." >&2
    exit 2
fi
if [ ! -r "$ENV_FILE" ]; then
    echo "Le fichier de réglages $ENV_FILE est introuvable (voir deploy/README.md)." >&2
    exit 2
fi

# Même valeur par défaut que le service systemd ; equipage.env peut la remplacer.
# Une valeur donnée à la commande (sudo EQUIPAGE_DATABASE=… equipage …, pour répéter
# une restauration) est gardée.
EQUIPAGE_DATABASE=${EQUIPAGE_DATABASE:-/var/lib/equipage/equipage.sqlite3}
export EQUIPAGE_DATABASE
set -a
# shellcheck source=/dev/null
. "$ENV_FILE"
set +a

# Le dossier de la base appartient à equipage, comme le crée systemd (StateDirectory).
DATA_DIR=$(dirname "$EQUIPAGE_DATABASE")
if [ ! -d "$DATA_DIR" ]; then
    install -d -o equipage -g equipage -m 0700 "$DATA_DIR"
fi

cd "$APP_DIR"
umask 0077
exec runuser -u equipage -- "$APP_DIR/.venv/bin/equipage" "$@"
