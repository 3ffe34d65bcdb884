// The sign-in form: POST /session sets the HttpOnly session cookie.
import {signIn} from './api.js';
import {el, message} from './dom.js';

export function render(view) {
  const out = el('div');
  const user = el('input', {name: 'user', id: 'signin-user', autocomplete: 'username', required: true});
  const password = el('input', {name: 'password', id: 'signin-password', type: 'password',
    autocomplete: 'current-password', required: true});
  const form = el('form', {id: 'signin-form', onsubmit: async (e) => {
    e.preventDefault();
    try {
      await signIn(user.value, password.value);
      window.dispatchEvent(new Event('cbit-session'));
      location.hash = '#/';
    } catch (err) {
      out.replaceChildren(message('error', err.message));
    }
  }},
  el('label', {}, 'User ', user), el('label', {}, 'Password ', password),
  el('button', {type: 'submit'}, 'Sign in'));
  view.append(el('h1', {}, 'Sign in'), form, out);
}
