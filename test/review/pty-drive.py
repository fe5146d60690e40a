"""Run a command in a real pseudo-terminal and answer its prompts, like a person at a keyboard.

usage: pty-drive.py <steps.json> <command> [args...]
steps.json: [[<regex to wait for in the output>, <text to type>], ...]
Prints everything the command wrote to the terminal; exits with the command's exit code
(or 124 when an expected prompt never shows up).
"""
import json, os, pty, re, select, sys, time

TIMEOUT_S = 60

def main():
    steps = json.load(open(sys.argv[1]))
    pid, fd = pty.fork()
    if pid == 0:
        os.execvp(sys.argv[2], sys.argv[2:])
    seen = b''
    cursor = 0  # each expectation is searched only in output that came after the previous answer
    def read(deadline):
        nonlocal seen
        while time.time() < deadline:
            ready, _, _ = select.select([fd], [], [], 0.1)
            if not ready:
                return True
            try:
                chunk = os.read(fd, 65536)
            except OSError:
                return False
            if not chunk:
                return False
            seen += chunk
        return True
    for pattern, answer in steps:
        deadline = time.time() + TIMEOUT_S
        regex = re.compile(pattern.encode())
        while True:
            match = regex.search(seen, cursor)
            if match:
                cursor = match.end()
                break
            if time.time() > deadline or not read(time.time() + 0.5):
                sys.stdout.buffer.write(seen)
                sys.stdout.write(f'\n[pty-drive] never saw {pattern!r}\n')
                os.kill(pid, 9)
                sys.exit(124)
        time.sleep(0.05)
        os.write(fd, answer.encode())
    while read(time.time() + TIMEOUT_S):
        pass
    _, status = os.waitpid(pid, 0)
    sys.stdout.buffer.write(seen)
    sys.exit(os.waitstatus_to_exitcode(status))

main()
