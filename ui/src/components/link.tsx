import type { JSX } from 'solid-js';
import { navigate, path } from '../router.ts';

/** An in-app link: a real anchor (new tabs work) that navigates without a reload on a plain click. */
export function Link(props: { href: string; class?: string; children: JSX.Element }) {
  const onClick = (event: MouseEvent) => {
    if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    navigate(props.href);
  };
  return (
    <a href={props.href} class={props.class} aria-current={path() === props.href ? 'page' : undefined} onClick={onClick}>
      {props.children}
    </a>
  );
}
