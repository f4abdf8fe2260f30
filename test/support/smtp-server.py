"""A loopback SMTP server for the tests (aiosmtpd): stores every accepted message as one JSON file, decoded.

Usage: /usr/bin/python3 smtp-server.py DIR [--auth USER:PASSWORD] [--starttls CERT KEY | --implicit-tls CERT KEY]
Prints "PORT <n>" once listening on 127.0.0.1 (a free port); stops when stdin closes.
Recipients starting with "refused" get 550 with the address quoted; a message whose text holds "REFUSE-DATA"
gets 554 quoting the message, as some servers do: the tests check none of it reaches our errors.
"""
import argparse, asyncio, email, email.policy, json, os, ssl, sys
from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword

parser = argparse.ArgumentParser()
parser.add_argument('dir')
parser.add_argument('--auth')
parser.add_argument('--starttls', nargs=2)
parser.add_argument('--implicit-tls', nargs=2)
args = parser.parse_args()
out_dir = args.dir
credentials = None
if args.auth:
    user, _, password = args.auth.partition(':')
    credentials = (user.encode(), password.encode())
tls = None
if args.starttls or args.implicit_tls:
    tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    tls.load_cert_chain(*(args.starttls or args.implicit_tls))
counter = 0


class Store:
    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.startswith('refused'):
            return '550 5.1.1 <%s>: mailbox unavailable' % address
        envelope.rcpt_tos.append(address)
        return '250 OK'

    async def handle_DATA(self, server, session, envelope):
        global counter
        raw = envelope.content.decode('utf-8', 'replace')
        if 'REFUSE-DATA' in raw:
            return '554 5.7.1 rejected: ' + raw.replace('\r', ' ').replace('\n', ' ')[-300:]
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        text = message.get_body(('plain',))
        html = message.get_body(('html',))
        counter += 1
        record = {
            'mailFrom': envelope.mail_from,
            'rcptTos': envelope.rcpt_tos,
            'authenticated': getattr(session, 'authenticated', False),
            'peer': list(session.peer) if session.peer else None,
            'tls': session.ssl is not None or args.implicit_tls is not None,
            'headers': {name.lower(): str(value) for name, value in message.items()},
            'text': text.get_content() if text is not None else None,
            'html': html.get_content() if html is not None else None,
            'raw': raw,
        }
        path = os.path.join(out_dir, '%06d.json' % counter)
        with open(path + '.tmp', 'w', encoding='utf-8') as file:
            json.dump(record, file)
        os.rename(path + '.tmp', path)
        return '250 2.0.0 accepted'


def authenticator(server, session, envelope, mechanism, auth_data):
    ok = isinstance(auth_data, LoginPassword) and credentials is not None and (auth_data.login, auth_data.password) == credentials
    return AuthResult(success=ok, handled=False)


async def main():
    loop = asyncio.get_running_loop()
    factory = lambda: SMTP(Store(), hostname='smtp.test', authenticator=authenticator if credentials else None,
                           auth_required=credentials is not None, auth_require_tls=False,
                           tls_context=tls if args.starttls else None)
    server = await loop.create_server(factory, '127.0.0.1', 0, ssl=tls if args.implicit_tls else None)
    print('PORT %d' % server.sockets[0].getsockname()[1], flush=True)
    await loop.run_in_executor(None, sys.stdin.read)
    server.close()


asyncio.run(main())
