import React from 'react';

export default function Home() {
  return (
    <main>
      <article>
        <h1>Describing joints</h1>
        <p>A revolute joint rotates about an axis.</p>
      </article>
    </main>
  );
}
