import { useEffect, useRef, useState } from 'react'
import { Button, Input, Text, View } from '@tarojs/components'
import { createClient, MqttError, type MqttClient } from 'miniprogram-mqtt'

// 本地 broker（根目录 `npm start`）· the local broker of the root `npm start`
const BROKER = { host: '127.0.0.1', port: 8083, path: '/mqtt', secure: false }
const TOPIC = 'taro/demo'
const MAX_MESSAGES = 50

interface Row {
  id: number
  topic: string
  text: string
}

export default function Index() {
  const client = useRef<MqttClient>()
  const nextId = useRef(0)
  const [status, setStatus] = useState('idle')
  const [error, setError] = useState('')
  const [messages, setMessages] = useState<Row[]>([])
  const [draft, setDraft] = useState('hello from Taro')

  useEffect(() => {
    const c = createClient({ name: 'taro-demo', ...BROKER })
    client.current = c
    const offs = [
      c.on('status', (s) => setStatus(s.status)),
      c.on('message', (m) =>
        // 有上限的列表：只保留最新 MAX_MESSAGES 条 · bounded: the newest MAX_MESSAGES only
        setMessages((list) => [{ id: nextId.current++, topic: m.topic, text: m.payload }, ...list].slice(0, MAX_MESSAGES)),
      ),
      c.on('error', (e) => setError(`${e.code}: ${e.message}`)),
    ]
    c.connect()
      .then(() => c.subscribe(TOPIC, { qos: 2 }))
      .catch((e: MqttError) => setError(`${e.code}: ${e.message}`))
    return () => {
      offs.forEach((off) => off())
      c.end()
    }
  }, [])

  const publish = () => {
    client.current
      ?.publish(TOPIC, draft, { qos: 2 })
      .catch((e: MqttError) => setError(`${e.code}: ${e.message}`))
  }

  return (
    <View className='page'>
      <Text className='status'>{status}</Text>
      {error ? <Text className='error'>{error}</Text> : null}
      <Input className='draft' value={draft} onInput={(e) => setDraft(e.detail.value)} />
      <Button className='publish' onClick={publish}>
        QoS 2 发布 · Publish
      </Button>
      <View className='messages'>
        {messages.map((m) => (
          <View className='message' key={m.id}>
            <Text className='topic'>{m.topic}</Text>
            <Text className='payload'>{m.text}</Text>
          </View>
        ))}
      </View>
    </View>
  )
}
